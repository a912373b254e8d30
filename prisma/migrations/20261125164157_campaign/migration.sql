-- AlterTable
ALTER TABLE "outbox" ADD COLUMN     "offsetDays" INTEGER,
ADD COLUMN     "seasonId" INTEGER,
ADD COLUMN     "viaTemplate" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "refilledAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "scheduler_leases" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "scheduler_leases_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "outbox_seasonId_kind_offsetDays_idx" ON "outbox"("seasonId", "kind", "offsetDays");

-- CreateIndex
CREATE INDEX "outbox_channel_sentAt_idx" ON "outbox"("channel", "sentAt");
