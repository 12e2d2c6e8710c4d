alter table device_profile
    drop column measurements;

alter table device_profile_template
    drop column measurements;
