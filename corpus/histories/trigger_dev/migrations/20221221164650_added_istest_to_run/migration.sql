-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "isTest" BOOLEAN NOT NULL DEFAULT false;
