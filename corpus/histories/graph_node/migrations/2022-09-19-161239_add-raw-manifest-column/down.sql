alter table subgraphs.subgraph_manifest drop column raw_yaml;
