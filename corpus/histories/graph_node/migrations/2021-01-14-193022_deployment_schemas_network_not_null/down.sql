alter table deployment_schemas
  alter column network drop not null;
