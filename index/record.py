"""What an index records about itself, and what a store checks before it writes: the same
for a folder (its generation's ``bahth.json``) and a cluster (its nodes' meta table).

An index records the analysis and the settings it was built with, the analyzer version, when
it was created and last updated. Every later command reads them from the index (a search
needs no settings file). Asking for other index-time settings (fields, input keys, analysis)
needs a rebuild, and says so with the command; query-time ones (weights, facets, labels,
synonyms) are recorded by any run that gives them and apply at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from bahth.analyzers import ANALYZER_VERSION, AnalysisConfig
from bahth.index.errors import AnalysisMismatch, IndexVersionMismatch
from bahth.index.settings import Settings, SettingsError

# A rebuild holds only what it reads: the advice to rebuild says so beside its command.
EVERY_SOURCE = ", with every source of the index: a rebuild holds only the documents it reads"


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Asked:
    """What a store was asked for: the settings (fields and analysis) of a new or rebuilt
    index, or the analysis alone (the older way); ``option``: how a command names the index
    (``--index DIR``, ``--backend URL``), for the rebuild command a message gives."""

    settings: Settings | None
    analysis: AnalysisConfig | None
    where: str
    option: str

    @classmethod
    def of(
        cls, settings: Settings | None, analysis: AnalysisConfig | None, where: str, option: str
    ) -> Asked:
        if settings is not None and analysis is not None:
            if analysis != settings.analysis_config():
                raise SettingsError(
                    f"The analysis {analysis.id} and the settings' "
                    f"{settings.analysis_config().id} disagree: give one."
                )
        if settings is not None:
            analysis = settings.analysis_config()
        return cls(settings, analysis, where, option)

    def rebuild(self, settings: Settings | None = None) -> str:
        return f"`{self.rebuild_command(settings)}`"

    def rebuild_command(self, settings: Settings | None = None) -> str:
        """The command that rebuilds the index with what was asked: the settings file that
        asked for it, or the stemmer (a rebuild without them keeps the index's own)."""
        if settings is not None and settings.path:
            named = f" --settings {settings.path}"
        elif settings is None and self.analysis is not None:
            named = f" --stem {self.analysis.stem}"
        else:
            named = ""
        return f"bahth index --rebuild PATH...{named} {self.option}"

    def check_version(self, meta: dict) -> None:
        """IndexVersionMismatch for an index another analyzer version built."""
        if str(meta.get("analyzer_version")) != ANALYZER_VERSION:
            built_with = meta.get("analyzer") or "an older bahth analyzer"
            raise IndexVersionMismatch(
                f"The index at {self.where} was built with {built_with}; this bahth uses "
                f"bahth-arabic/{ANALYZER_VERSION}: run {self.rebuild()}."
            )

    def check_against(self, built: Settings, analysis: AnalysisConfig) -> None:
        """An index keeps what it was built with: asking for another analysis, or other
        index-time settings, is only possible with a rebuild, which says so."""
        wanted = self.analysis
        if wanted is not None and wanted != analysis:
            command = self.rebuild_command(self.settings)
            raise AnalysisMismatch(
                f"The index at {self.where} was built with {analysis.id}, not {wanted.id}: "
                f"add --rebuild to rebuild it (`{command}`{EVERY_SOURCE}).",
                command,
            )
        if self.settings is not None:
            changed = self.settings.index_time_changes(built)
            if changed:
                command = self.rebuild_command(self.settings)
                raise AnalysisMismatch(
                    f"The index at {self.where} was built with other {' and '.join(changed)} "
                    "settings, which decide what is indexed: add --rebuild to rebuild it with "
                    f"them (`{command}`{EVERY_SOURCE}).",
                    command,
                )

    def for_new(
        self, built: Settings | None, built_analysis: AnalysisConfig | None
    ) -> tuple[AnalysisConfig, Settings]:
        """The analysis and settings of a new index, or of a rebuild of one built with
        ``built``: those asked for, else the index's own, else bahth's default; a stemmer
        asked for alone (``--stem``) applies over the settings."""
        settings = self.settings or built or Settings()
        analysis = self.analysis or built_analysis or settings.analysis_config()
        if self.settings is None and analysis.stem != settings.stem:
            settings = replace(settings, stem=analysis.stem)
        return analysis, settings

    def effective(self, built: Settings | None) -> Settings:
        """The settings a run reads and writes with: those asked for, else the index's (an
        update's query-time changes, stories on or off among them, apply from its run on)."""
        return self.settings or built or Settings()

    def notes_against(self, built: Settings) -> list[str]:
        """What a run that changes query-time settings cannot do by itself, one sentence
        each: stories turned on group only the documents written from now on."""
        if self.settings is not None and self.settings.stories and not built.stories:
            return [
                "stories were off until this run: the documents indexed while they were off "
                "stay each alone (only documents written from now on are grouped); rebuild "
                "(--rebuild) to group them all"
            ]
        return []


def recorded(meta: dict, where: str) -> Settings:
    """The settings an index records (bahth's default with its stemmer when it records
    none); SettingsError when they cannot be read."""
    settings = meta.get("settings")
    if not settings:
        return Settings(stem=recorded_analysis(meta).stem)
    return replace(Settings.from_dict(settings, where=where), path=None)


def recorded_analysis(meta: dict) -> AnalysisConfig:
    """The analysis an index records (bahth's default when it records none)."""
    analysis = meta.get("analysis")
    try:
        return AnalysisConfig(**analysis) if analysis else AnalysisConfig()
    except (TypeError, ValueError):
        return AnalysisConfig()


def record(analysis: AnalysisConfig, settings: Settings) -> dict:
    """What a new index records of its analysis and settings."""
    return {
        "analysis": analysis.as_dict(),
        "settings": settings.as_dict(),
        "analyzer": analysis.id,
        "analyzer_version": ANALYZER_VERSION,
    }
