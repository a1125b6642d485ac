//! Importing topologies written as docker commands, compose files and daemon.json.
