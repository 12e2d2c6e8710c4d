drop table public.graphman_command_executions;
