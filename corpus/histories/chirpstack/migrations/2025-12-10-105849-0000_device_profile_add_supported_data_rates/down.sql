alter table device_profile
    drop column supported_uplink_data_rates;

