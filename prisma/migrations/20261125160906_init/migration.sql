-- CreateEnum
CREATE TYPE "Ownership" AS ENUM ('STATE', 'PRIVATE');

-- CreateEnum
CREATE TYPE "InstructionLanguage" AS ENUM ('KK', 'RU');

-- CreateEnum
CREATE TYPE "Locale" AS ENUM ('kk', 'ru');

-- CreateEnum
CREATE TYPE "ApplicationCategory" AS ENUM ('GENERAL', 'PRIVILEGED', 'CORRECTIONAL');

-- CreateEnum
CREATE TYPE "ApplicationStatus" AS ENUM ('ACTIVE', 'STOP_LISTED', 'REFERRED', 'ENROLLED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('TELEGRAM', 'WHATSAPP', 'CONSOLE');

-- CreateEnum
CREATE TYPE "OwnershipPreference" AS ENUM ('ANY', 'STATE', 'PRIVATE');

-- CreateEnum
CREATE TYPE "OwnershipReason" AS ENUM ('QUALITY', 'COST');

-- CreateEnum
CREATE TYPE "ExtensionKind" AS ENUM ('EXTEND', 'RESTORE');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "kindergartens" (
    "id" SERIAL NOT NULL,
    "number" INTEGER NOT NULL,
    "nameKk" TEXT NOT NULL,
    "nameRu" TEXT NOT NULL,
    "addressKk" TEXT NOT NULL,
    "addressRu" TEXT NOT NULL,
    "ownership" "Ownership" NOT NULL,
    "languages" "InstructionLanguage"[],
    "capacity" INTEGER NOT NULL,
    "district" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "correctional" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "kindergartens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "parents" (
    "id" SERIAL NOT NULL,
    "iin" CHAR(12) NOT NULL,
    "fullName" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "locale" "Locale",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "children" (
    "id" SERIAL NOT NULL,
    "iin" CHAR(12) NOT NULL,
    "fullName" TEXT NOT NULL,
    "birthDate" DATE NOT NULL,
    "parentId" INTEGER NOT NULL,

    CONSTRAINT "children_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "applications" (
    "id" SERIAL NOT NULL,
    "queueNumber" INTEGER NOT NULL,
    "parentId" INTEGER NOT NULL,
    "childId" INTEGER NOT NULL,
    "category" "ApplicationCategory" NOT NULL DEFAULT 'GENERAL',
    "registeredAt" TIMESTAMP(3) NOT NULL,
    "status" "ApplicationStatus" NOT NULL DEFAULT 'ACTIVE',
    "validUntil" TIMESTAMP(3) NOT NULL,
    "stopListedAt" TIMESTAMP(3),
    "restoredAt" TIMESTAMP(3),
    "restoreCount" INTEGER NOT NULL DEFAULT 0,
    "purgeRunId" INTEGER,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_choices" (
    "applicationId" INTEGER NOT NULL,
    "kindergartenId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,

    CONSTRAINT "application_choices_pkey" PRIMARY KEY ("applicationId","kindergartenId")
);

-- CreateTable
CREATE TABLE "seasons" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "opensAt" TIMESTAMP(3) NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "validUntil" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "seasons_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "questionnaires" (
    "id" SERIAL NOT NULL,
    "parentId" INTEGER NOT NULL,
    "seasonId" INTEGER NOT NULL,
    "ownership" "OwnershipPreference" NOT NULL,
    "ownershipReason" "OwnershipReason",
    "language" "InstructionLanguage" NOT NULL,
    "maxPayment" INTEGER NOT NULL,
    "sections" TEXT[],
    "sectionsOther" TEXT,
    "digital" TEXT[],
    "digitalOther" TEXT,
    "channel" "Channel" NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "questionnaires_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "questionnaire_choices" (
    "questionnaireId" INTEGER NOT NULL,
    "kindergartenId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,

    CONSTRAINT "questionnaire_choices_pkey" PRIMARY KEY ("questionnaireId","kindergartenId")
);

-- CreateTable
CREATE TABLE "extensions" (
    "id" SERIAL NOT NULL,
    "applicationId" INTEGER NOT NULL,
    "seasonId" INTEGER NOT NULL,
    "questionnaireId" INTEGER,
    "kind" "ExtensionKind" NOT NULL,
    "oldValidUntil" TIMESTAMP(3) NOT NULL,
    "newValidUntil" TIMESTAMP(3) NOT NULL,
    "channel" "Channel" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "extensions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "purge_runs" (
    "id" SERIAL NOT NULL,
    "seasonId" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "count" INTEGER NOT NULL,

    CONSTRAINT "purge_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat_links" (
    "id" SERIAL NOT NULL,
    "channel" "Channel" NOT NULL,
    "chatId" TEXT NOT NULL,
    "parentId" INTEGER NOT NULL,
    "locale" "Locale" NOT NULL,
    "verifiedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unreachableAt" TIMESTAMP(3),
    "lastInboundAt" TIMESTAMP(3),
    "externalUserId" TEXT,

    CONSTRAINT "chat_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_states" (
    "channel" "Channel" NOT NULL,
    "chatId" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_states_pkey" PRIMARY KEY ("channel","chatId")
);

-- CreateTable
CREATE TABLE "inbound_updates" (
    "channel" "Channel" NOT NULL,
    "externalId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" JSONB,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "inbound_updates_pkey" PRIMARY KEY ("channel","externalId")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" SERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "chatId" TEXT NOT NULL,
    "parentId" INTEGER,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "externalId" TEXT,
    "delivery" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identification_failures" (
    "id" SERIAL NOT NULL,
    "channel" "Channel" NOT NULL,
    "chatId" TEXT NOT NULL,
    "phone" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identification_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "kindergartens_number_key" ON "kindergartens"("number");

-- CreateIndex
CREATE UNIQUE INDEX "parents_iin_key" ON "parents"("iin");

-- CreateIndex
CREATE INDEX "parents_phone_idx" ON "parents"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "children_iin_key" ON "children"("iin");

-- CreateIndex
CREATE INDEX "children_parentId_idx" ON "children"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "applications_queueNumber_key" ON "applications"("queueNumber");

-- CreateIndex
CREATE INDEX "applications_parentId_status_idx" ON "applications"("parentId", "status");

-- CreateIndex
CREATE INDEX "applications_status_validUntil_idx" ON "applications"("status", "validUntil");

-- CreateIndex
CREATE INDEX "application_choices_kindergartenId_idx" ON "application_choices"("kindergartenId");

-- CreateIndex
CREATE UNIQUE INDEX "seasons_code_key" ON "seasons"("code");

-- CreateIndex
CREATE INDEX "questionnaires_seasonId_idx" ON "questionnaires"("seasonId");

-- CreateIndex
CREATE UNIQUE INDEX "questionnaires_parentId_seasonId_key" ON "questionnaires"("parentId", "seasonId");

-- CreateIndex
CREATE INDEX "questionnaire_choices_kindergartenId_idx" ON "questionnaire_choices"("kindergartenId");

-- CreateIndex
CREATE INDEX "extensions_applicationId_idx" ON "extensions"("applicationId");

-- CreateIndex
CREATE INDEX "extensions_seasonId_kind_idx" ON "extensions"("seasonId", "kind");

-- CreateIndex
CREATE INDEX "purge_runs_seasonId_idx" ON "purge_runs"("seasonId");

-- CreateIndex
CREATE INDEX "chat_links_parentId_idx" ON "chat_links"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "chat_links_channel_chatId_key" ON "chat_links"("channel", "chatId");

-- CreateIndex
CREATE INDEX "inbound_updates_processedAt_receivedAt_idx" ON "inbound_updates"("processedAt", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_dedupeKey_key" ON "outbox"("dedupeKey");

-- CreateIndex
CREATE INDEX "outbox_status_nextAttemptAt_idx" ON "outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "outbox_externalId_idx" ON "outbox"("externalId");

-- CreateIndex
CREATE INDEX "identification_failures_channel_chatId_createdAt_idx" ON "identification_failures"("channel", "chatId", "createdAt");

-- CreateIndex
CREATE INDEX "identification_failures_phone_createdAt_idx" ON "identification_failures"("phone", "createdAt");

-- AddForeignKey
ALTER TABLE "children" ADD CONSTRAINT "children_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_childId_fkey" FOREIGN KEY ("childId") REFERENCES "children"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_purgeRunId_fkey" FOREIGN KEY ("purgeRunId") REFERENCES "purge_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_choices" ADD CONSTRAINT "application_choices_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_choices" ADD CONSTRAINT "application_choices_kindergartenId_fkey" FOREIGN KEY ("kindergartenId") REFERENCES "kindergartens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questionnaires" ADD CONSTRAINT "questionnaires_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questionnaires" ADD CONSTRAINT "questionnaires_seasonId_fkey" FOREIGN KEY ("seasonId") REFERENCES "seasons"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questionnaire_choices" ADD CONSTRAINT "questionnaire_choices_questionnaireId_fkey" FOREIGN KEY ("questionnaireId") REFERENCES "questionnaires"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questionnaire_choices" ADD CONSTRAINT "questionnaire_choices_kindergartenId_fkey" FOREIGN KEY ("kindergartenId") REFERENCES "kindergartens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "extensions" ADD CONSTRAINT "extensions_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "extensions" ADD CONSTRAINT "extensions_seasonId_fkey" FOREIGN KEY ("seasonId") REFERENCES "seasons"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "extensions" ADD CONSTRAINT "extensions_questionnaireId_fkey" FOREIGN KEY ("questionnaireId") REFERENCES "questionnaires"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purge_runs" ADD CONSTRAINT "purge_runs_seasonId_fkey" FOREIGN KEY ("seasonId") REFERENCES "seasons"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_links" ADD CONSTRAINT "chat_links_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "parents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
