alter table subgraphs.table_stats
  add column last_pruned_block int4;
