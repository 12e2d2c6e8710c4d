drop view subgraphs.subgraph_deployment_detail;
