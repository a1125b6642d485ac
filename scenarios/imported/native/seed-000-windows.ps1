# Commands from the Windows container networking walkthrough (seed 000), as typed.
# `hnsim import seed-000-windows.ps1` turns them into a one-host ws2019 scenario.

# Create a user-defined NAT network
C:\> docker network create -d nat --subnet=172.16.0.0/16 --gateway=172.16.0.1 CustomNat1
C:\> docker network create -d nat --subnet=172.17.0.0/16 --gateway=172.17.0.1 CustomNat2

# Transparent network bound to a second adapter, with its HNS name
C:\> docker network create -d transparent -o com.docker.network.windowsshim.interface="Ethernet 2" -o com.docker.network.windowsshim.networkname=TransparentNet2 TransparentNet2
PS C:\> Get-VMNetworkAdapter -VMName ContainerHostVM | Set-VMNetworkAdapter -MacAddressSpoofing On

# Containers
C:\> docker run -itd --name web -p 8082:80 --network=CustomNat1 windowsservercore cmd
C:\> docker run -itd --name ephemeral -p 80 --network=CustomNat2 windowsservercore cmd
C:\> docker run -itd --name direct --network=TransparentNet2 --ip=10.80.123.32 windowsservercore cmd

C:\> docker ps
CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS                   NAMES
bbf72109b1fc        windowsservercore   "cmd"               6 seconds ago       Up 2 seconds        0.0.0.0:14824->80/tcp   ephemeral
