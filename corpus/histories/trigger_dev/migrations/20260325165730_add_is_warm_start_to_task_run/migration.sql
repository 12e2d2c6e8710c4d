-- AlterTable
ALTER TABLE "public"."TaskRun" ADD COLUMN "isWarmStart" BOOLEAN;
