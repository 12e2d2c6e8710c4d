alter table device_profile
    add column region_config_id varchar(100) null;
