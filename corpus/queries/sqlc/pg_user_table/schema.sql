CREATE TABLE "user" (id bigserial not null);

