/* Test-only stand-in for Windows' bcryptprimitives.dll, for running hnsim.exe under
 * Wine 8, which does not ship it. The Rust standard library takes its random seed
 * (HashMap keys) from ProcessPrng there; this forwards to advapi32's RtlGenRandom
 * (exported as SystemFunction036), which Wine has. Never shipped: .ci/windows.sh
 * builds it next to the test executable only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
