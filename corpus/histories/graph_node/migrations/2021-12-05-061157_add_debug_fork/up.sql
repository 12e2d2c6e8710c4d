alter table
    subgraphs.subgraph_deployment
add
    column debug_fork text;
