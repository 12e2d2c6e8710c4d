DROP TABLE delete_tasks;
