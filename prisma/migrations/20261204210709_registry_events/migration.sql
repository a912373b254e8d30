-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "referralAcceptBy" TIMESTAMP(3),
ADD COLUMN     "referralGroup" TEXT,
ADD COLUMN     "referralKindergartenId" INTEGER,
ADD COLUMN     "registryHash" TEXT,
ADD COLUMN     "registryRevision" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "registry_events" (
    "id" SERIAL NOT NULL,
    "applicationId" INTEGER NOT NULL,
    "parentId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registry_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "registry_events_parentId_idx" ON "registry_events"("parentId");

-- CreateIndex
CREATE INDEX "registry_events_createdAt_idx" ON "registry_events"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "registry_events_applicationId_kind_revision_key" ON "registry_events"("applicationId", "kind", "revision");

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_referralKindergartenId_fkey" FOREIGN KEY ("referralKindergartenId") REFERENCES "kindergartens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry_events" ADD CONSTRAINT "registry_events_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
