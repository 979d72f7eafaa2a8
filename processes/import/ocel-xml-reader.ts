// Reads OCEL 2.0 XML in two streaming passes, like the JSON reader: declarations and each
// object's type first (stopping at the end of <objects>), then the events. OCEL XML writes
// times without an offset, so ReadEventLogOptions.timeZone matters here (docs/import.md).
import { byteProgress, fileSize, openContentStream } from './byte-source.ts'
import type { ImportedEvent, ImportedObject } from './imported-event.ts'
import { OcelCatalog, ocelEvent, ocelObject } from './ocel-records.ts'
import { OcelXmlAssembler, type OcelXmlRecord } from './ocel-xml-log.ts'
import type { ReadContext } from './read-options.ts'
import { readXmlRecords } from './xml-stream.ts'

async function* xmlRecords(context: ReadContext, catalog: OcelCatalog, pass: number, passes: number): AsyncGenerator<OcelXmlRecord> {
  const assembler = new OcelXmlAssembler(context.file, catalog)
  const content = openContentStream(context.path, context.gzip, byteProgress(context.progress, await fileSize(context.path), pass, passes))
  yield* readXmlRecords(context.file, content, assembler, () => assembler.pending.splice(0))
}

export async function* readOcelXml(context: ReadContext): AsyncGenerator<ImportedEvent> {
  const catalog = new OcelCatalog()
  for await (const item of xmlRecords(context, catalog, 0, 2)) {
    if (item.kind === 'object') catalog.objectTypes.set(item.record.id, item.record.type)
    if (item.kind === 'objects-end') break
  }
  // The second pass declares the types again; the same declarations replace themselves.
  for await (const item of xmlRecords(context, catalog, 1, 2)) {
    if (item.kind === 'event') yield ocelEvent(item.record, catalog, context)
  }
  catalog.reportUnknown(context)
}

export async function* readOcelXmlObjects(context: ReadContext): AsyncGenerator<ImportedObject> {
  const catalog = new OcelCatalog()
  for await (const item of xmlRecords(context, catalog, 0, 1)) {
    if (item.kind === 'object') yield ocelObject(item.record, catalog, context)
    if (item.kind === 'objects-end') break
  }
}
