drop table subgraphs.table_stats;
