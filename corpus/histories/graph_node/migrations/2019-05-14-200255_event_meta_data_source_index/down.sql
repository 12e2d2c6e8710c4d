drop index event_meta_data_source;
