module distributed-kv

go 1.22
