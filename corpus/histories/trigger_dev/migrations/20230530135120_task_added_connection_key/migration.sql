-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "connectionKey" TEXT;
