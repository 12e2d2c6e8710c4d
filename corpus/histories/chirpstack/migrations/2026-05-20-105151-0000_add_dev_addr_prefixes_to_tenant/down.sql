alter table tenant
  drop column dev_addr_prefixes;
