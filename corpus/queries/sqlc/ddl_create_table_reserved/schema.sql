CREATE TABLE "x-venues" (name text);
