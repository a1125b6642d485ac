docker swarm init
docker service create --name web --replicas 1000000000 nginx
