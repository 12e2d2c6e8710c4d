-- AlterTable
ALTER TABLE "JobInstance" ADD COLUMN     "ready" BOOLEAN NOT NULL DEFAULT false;
