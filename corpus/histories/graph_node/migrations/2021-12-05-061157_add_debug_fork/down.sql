alter table
    subgraphs.subgraph_deployment
drop
    column debug_fork;
