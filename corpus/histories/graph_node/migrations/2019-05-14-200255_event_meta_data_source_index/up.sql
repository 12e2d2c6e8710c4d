create index if not exists event_meta_data_source on event_meta_data(source);
