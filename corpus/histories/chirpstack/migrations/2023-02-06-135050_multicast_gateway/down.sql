alter table multicast_group
    drop column class_c_scheduling_type;

drop table multicast_group_gateway;
