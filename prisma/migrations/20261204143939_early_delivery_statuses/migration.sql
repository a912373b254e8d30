-- CreateTable
CREATE TABLE "early_delivery_statuses" (
    "externalId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "resendAsTemplate" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "occurredAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "early_delivery_statuses_pkey" PRIMARY KEY ("externalId","status")
);

-- CreateIndex
CREATE INDEX "early_delivery_statuses_receivedAt_idx" ON "early_delivery_statuses"("receivedAt");
