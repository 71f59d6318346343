/**
 * `@gankit/report`: see and follow a GAN training run.
 *
 * - {@link imageGrid} / {@link writeImageGrid}: samples tiled into a PNG grid; {@link sideBySide}
 *   (a progress strip) and {@link animatedPng} (an APNG loop) of several grids.
 * - {@link gridRecorder}: a plugin that writes a grid from fixed latent points every N steps.
 * - {@link metricsLogger}: a plugin that writes `logs.jsonl` and keeps the curves;
 *   {@link lineChartSvg} draws them.
 * - {@link htmlReport}: one self-contained `report.html` with config, curves, grids and metrics.
 * - {@link tensorboardWriter}: a plugin that writes TensorBoard event files (scalars and sample
 *   grids as images); {@link readEvents} reads them back.
 *
 * Node only: it writes files.
 *
 * @packageDocumentation
 */
export { escapeXml } from './escape';
export { crc32, crc32c, maskedCrc32c } from './crc';
export { writeFileAtomic } from './files';
export { decodePng, encodePng, imageGrid, renderImageGrid, writeImageGrid } from './image-grid';
export type { ImageBatch, ImageGridOptions, ImagesInput, RasterImage } from './image-grid';
export { animatedPng, readPngChunks, sideBySide } from './png-strip';
export type { AnimatedPngOptions, PngChunk, SideBySideOptions } from './png-strip';
export { formatTick, lineChartSvg, niceTicks } from './chart';
export type { ChartSeries, LineChartOptions } from './chart';
export { curvesFromRecords, metricsLogger, metricsRecord, parseMetricsLog, readMetricsLog } from './metrics-logger';
export type { MetricsLogger, MetricsLoggerOptions, MetricsRecord, RunCurves } from './metrics-logger';
export { gridFileName, gridRecorder } from './grid-recorder';
export type { GridRecorder, GridRecorderOptions, RecordedGrid } from './grid-recorder';
export { chartsFromRecords, htmlReport, lastValues, renderHtmlReport } from './html-report';
export type { HtmlReportContent, HtmlReportOptions, ReportChart, ReportGrid } from './html-report';
export { EventFileWriter, cutEventsAfter, eventFiles, readEvents, scalarsFromLogs, tensorboardWriter } from './tensorboard';
export type { TensorBoardWriter, TensorBoardWriterOptions } from './tensorboard';
export { decodeEvent, encodeEvent, parseEventFile, pngImage, readRecords, tfRecord } from './tensorboard-proto';
export type { TensorBoardEvent, TensorBoardImage } from './tensorboard-proto';
