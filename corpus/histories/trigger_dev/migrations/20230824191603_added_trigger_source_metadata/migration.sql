-- AlterTable
ALTER TABLE "TriggerSource" ADD COLUMN     "metadata" JSONB;
