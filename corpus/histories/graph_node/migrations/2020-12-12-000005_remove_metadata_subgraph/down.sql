insert into deployment_schemas(id, subgraph, name, version, shard)
       values(0, 'subgraphs', 'subgraphs', 'relational', 'primary');
