drop table public.ens_names;
