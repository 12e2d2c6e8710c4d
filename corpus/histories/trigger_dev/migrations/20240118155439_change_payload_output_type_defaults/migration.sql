-- AlterTable
ALTER TABLE "TaskRun" ALTER COLUMN "payloadType" SET DEFAULT 'application/json',
ALTER COLUMN "outputType" SET DEFAULT 'application/json';
