alter table api_key
  drop column is_read_only;

