drop table unused_deployments;
