-- silences: label matchers that mute sending (not evaluation, not history) between StartsAt
-- and EndsAt. Expiring one writes it again with EndsAt = now and a higher Version.
-- Placeholders: {{table}}, {{onCluster}}, {{engine}} (ReplacingMergeTree(Version) family).
CREATE TABLE IF NOT EXISTS {{table}} {{onCluster}}
(
    SilenceId String,
    -- JSON array of {name, value, isRegex, isEqual}, as Alertmanager's matchers.
    Matchers String,
    StartsAt DateTime64(3, 'UTC'),
    EndsAt DateTime64(3, 'UTC'),
    CreatedBy String,
    Comment String,
    Version UInt64
)
ENGINE = {{engine}}
ORDER BY SilenceId
