-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "label" TEXT,
ADD COLUMN     "proposalThresholds" JSONB,
ADD COLUMN     "thresholdOverrides" JSONB;
