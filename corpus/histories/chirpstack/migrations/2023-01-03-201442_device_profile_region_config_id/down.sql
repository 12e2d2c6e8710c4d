alter table device_profile
    drop column region_config_id;
