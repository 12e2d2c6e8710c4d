CREATE TABLE venues ();
DROP TABLE public.venues;