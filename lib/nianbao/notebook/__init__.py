"""Running the township notebook: papermill with a kernel or the fork engine, the readable
parameters, JupyterLab (`nianbao lab`), and the export of an executed notebook to its pages
and documents."""
