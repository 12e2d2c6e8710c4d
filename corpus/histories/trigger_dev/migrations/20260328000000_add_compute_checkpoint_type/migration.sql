-- AlterEnum
ALTER TYPE "TaskRunCheckpointType" ADD VALUE 'COMPUTE';
