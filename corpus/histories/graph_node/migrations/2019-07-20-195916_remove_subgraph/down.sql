drop function remove_public_deployments();
drop function remove_deployment_metadata(ids varchar[]);
drop function list_deployment_entities(ids varchar[]);
