-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "outputProperties" JSONB;
