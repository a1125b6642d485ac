docker swarm init
docker service create --name web nginx
docker service scale web=4294967295
