import { ApiError } from '../../api/api-error';
import type { ExplorerService } from '../explorer-service';
import type { HandlerGroup } from './shared';

/** The exports folder: list, read (for a browser to save), and on the desktop choose it. */
export function fileHandlers(s: ExplorerService): HandlerGroup<'explorer.files.'> {
  const folderInfo = () => ({
    folder: s.files.path,
    chosenByOperator: s.files.chosenByOperator,
    canChooseFolder: s.options.chooseFolder !== undefined,
  });
  return {
    'explorer.files.list': () => ({ ...folderInfo(), files: s.files.list() }),
    'explorer.files.read': ({ name, offset, length }) => {
      const { data, size } = s.files.readChunk(name, offset, length);
      return { name, size, offset, data: data.toString('base64') };
    },
    'explorer.files.chooseFolder': async () => {
      if (!s.options.chooseFolder) {
        throw new ApiError(
          'UNAVAILABLE',
          `Headless Fieldbench writes files to ${s.files.path}; download them from the Files list`,
        );
      }
      const chosen = await s.options.chooseFolder();
      if (chosen) s.files.choose(chosen);
      return folderInfo();
    },
  };
}
