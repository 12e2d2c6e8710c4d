-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "outputIsUndefined" BOOLEAN NOT NULL DEFAULT false;
