-- CreateTable
CREATE TABLE "sms_budget_days" (
    "day" DATE NOT NULL,
    "segments" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_budget_days_pkey" PRIMARY KEY ("day")
);
