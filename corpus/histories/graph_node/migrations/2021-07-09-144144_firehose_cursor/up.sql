alter table subgraphs.subgraph_deployment
    add column firehose_cursor text default null;
