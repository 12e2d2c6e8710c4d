-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "preprocess" BOOLEAN NOT NULL DEFAULT false;
