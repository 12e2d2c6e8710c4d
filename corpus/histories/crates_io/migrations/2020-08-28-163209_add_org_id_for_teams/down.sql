-- This file should undo anything in `up.sql`
ALTER TABLE teams
  DROP COLUMN org_id;