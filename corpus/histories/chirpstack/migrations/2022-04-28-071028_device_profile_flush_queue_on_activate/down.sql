alter table device_profile
    drop column flush_queue_on_activate;
